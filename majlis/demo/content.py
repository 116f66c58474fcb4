"""Demo texts for the interactive sessions of the 6th Global Conference on the
Elimination of Child Labour (Marrakesh, 11-12 February 2026).

Titles and descriptions in English, French, Spanish and Arabic were written for Majlis
by translating and summarising the Arabic seed page
(``shared/seed/interactive-sessions.ar.txt``).
"""

from typing import TypedDict


class DemoSessionText(TypedDict):
    code: str
    day: str
    organisers: list[str]
    format: str
    title: dict[str, str]
    description: dict[str, str]
    room: str


DEMO_EVENT_NAME: dict[str, str] = {
    "en": "6th Global Conference on the Elimination of Child Labour",
    "fr": "6e Conférence mondiale sur l'élimination du travail des enfants",
    "es": "6.ª Conferencia Mundial sobre la Eliminación del Trabajo Infantil",
    "ar": "المؤتمر العالمي السادس للقضاء على عمل الأطفال",
}

DEMO_EVENT_VENUE: dict[str, str] = {
    "en": "Marrakesh, Morocco",
    "fr": "Marrakech, Maroc",
    "es": "Marrakech, Marruecos",
    "ar": "مراكش، المغرب",
}

DEMO_SESSIONS: list[DemoSessionText] = [
    {
        "code": "targets-2030",
        "day": "2026-02-11",
        "organisers": ["ILO", "UNICEF"],
        "format": "working_groups",
        "title": {
            "en": "Setting child labour targets beyond 2030",
            "fr": "Définir des cibles sur le travail des enfants pour l'après-2030",
            "es": "Establecer metas sobre trabajo infantil para después de 2030",
            "ar": "تحديد أهداف عمل الأطفال لما بعد عام 2030",
        },
        "description": {
            "en": (
                "This session explores methodological options for setting future "
                "targets to eliminate child labour, balancing ambition with "
                "achievable, evidence-based goals that reflect regional disparities. "
                "Participants will discuss how to align global and regional targets "
                "coherently and how to secure national ownership through stakeholder "
                "engagement. The session will show how well-designed targets can guide "
                "concrete strategies, mobilise political will and allow progress to be "
                "monitored effectively. It takes the form of a facilitated technical "
                "exchange built on parallel working-group discussions."
            ),
            "fr": (
                "Cette session examine les options méthodologiques pour fixer de "
                "futures cibles d'élimination du travail des enfants, en conciliant "
                "ambition et objectifs réalistes, fondés sur des données probantes et "
                "tenant compte des disparités régionales. Les participants débattront "
                "des moyens d'aligner de manière cohérente les cibles mondiales et "
                "régionales, et de garantir l'appropriation nationale grâce à la "
                "participation des parties prenantes. La session montrera comment des "
                "cibles bien conçues peuvent orienter des stratégies concrètes, "
                "mobiliser la volonté politique et permettre un suivi efficace des "
                "progrès. Elle prend la forme d'un échange technique animé, fondé sur "
                "des discussions parallèles en groupes de travail."
            ),
            "es": (
                "Esta sesión analiza las opciones metodológicas para fijar futuras "
                "metas de eliminación del trabajo infantil, conciliando la ambición "
                "con objetivos alcanzables, basados en datos empíricos y que reflejen "
                "las disparidades regionales. Los participantes debatirán cómo "
                "armonizar de forma coherente las metas mundiales y regionales, y cómo "
                "asegurar la apropiación nacional mediante la participación de las "
                "partes interesadas. La sesión mostrará cómo unas metas bien diseñadas "
                "pueden orientar estrategias concretas, movilizar la voluntad política "
                "y permitir un seguimiento eficaz de los avances. Se trata de un "
                "intercambio técnico facilitado, basado en debates paralelos en grupos "
                "de trabajo."
            ),
            "ar": (
                "تستكشف هذه الجلسة الخيارات المنهجية لوضع أهداف مستقبلية للقضاء على "
                "عمل الأطفال، بما يوازن بين الطموح وأهداف واقعية قائمة على الأدلة "
                "تراعي التفاوتات الإقليمية. وسيناقش المشاركون سبل المواءمة المتسقة بين "
                "الأهداف العالمية والإقليمية، وضمان الملكية الوطنية من خلال إشراك "
                "أصحاب المصلحة. كما تبين الجلسة كيف يمكن للأهداف المحكمة التصميم أن "
                "توجه استراتيجيات ملموسة، وتحشد الإرادة السياسية، وتتيح رصد التقدم "
                "المحرز رصداً فعالاً. وتتخذ الجلسة شكل تبادل تقني ميسر يقوم على "
                "مناقشات متوازية في مجموعات عمل."
            ),
        },
        "room": "Atlas 1",
    },
    {
        "code": "income-gender",
        "day": "2026-02-11",
        "organisers": ["Global March Against Child Labour"],
        "format": "world_cafe",
        "title": {
            "en": (
                "Designing practical strategies to bridge income, child labour and "
                "gender equality"
            ),
            "fr": (
                "Concevoir des stratégies pratiques pour articuler revenus, travail "
                "des enfants et égalité de genre"
            ),
            "es": (
                "Diseñar estrategias prácticas para vincular ingresos, trabajo "
                "infantil e igualdad de género"
            ),
            "ar": (
                "تصميم استراتيجيات عملية لسد الفجوة بين الدخل وعمل الأطفال والمساواة "
                "بين الجنسين"
            ),
        },
        "description": {
            "en": (
                "Evidence shows that income growth alone is not enough to reduce child "
                "labour. Building on this, the session explores how policies and "
                "programmes can ensure that higher household incomes lead to greater "
                "economic resilience, less child labour and fairer gender relations. "
                "It uses interactive methods, including World Café discussions in "
                "small groups, case studies and hands-on exercises."
            ),
            "fr": (
                "Les données montrent que la seule hausse des revenus ne suffit pas à "
                "faire reculer le travail des enfants. Partant de ce constat, la "
                "session examine comment les politiques et les programmes peuvent "
                "faire en sorte que l'augmentation des revenus des ménages se traduise "
                "par une plus grande résilience économique, un recul du travail des "
                "enfants et des rapports plus équitables entre les femmes et les "
                "hommes. Elle s'appuie sur des méthodes interactives : échanges en "
                "petits groupes selon la formule du « World Café », études de cas et "
                "exercices pratiques."
            ),
            "es": (
                "Los datos demuestran que el aumento de los ingresos por sí solo no "
                "basta para reducir el trabajo infantil. Partiendo de esta "
                "constatación, la sesión analiza cómo las políticas y los programas "
                "pueden lograr que unos mayores ingresos de los hogares se traduzcan "
                "en más resiliencia económica, menos trabajo infantil y relaciones de "
                "género más equitativas. Se emplearán métodos interactivos, como "
                "debates en grupos reducidos al estilo «World Café», estudios de caso "
                "y ejercicios prácticos."
            ),
            "ar": (
                "تشير الأدلة إلى أن نمو الدخل وحده لا يكفي للحد من عمل الأطفال. "
                "وانطلاقاً من ذلك، تبحث هذه الجلسة كيف يمكن للسياسات والبرامج أن تضمن "
                "أن يفضي ارتفاع دخل الأسر إلى تعزيز قدرتها على الصمود اقتصادياً، والحد "
                "من عمل الأطفال، وإقامة علاقات أكثر إنصافاً بين الجنسين. وتعتمد الجلسة "
                "أساليب تفاعلية، منها نقاشات في مجموعات صغيرة على طريقة «المقهى "
                "العالمي»، ودراسات حالة، وتمارين تطبيقية."
            ),
        },
        "room": "Menara",
    },
    {
        "code": "future-action",
        "day": "2026-02-12",
        "organisers": ["ILO"],
        "format": "foresight",
        "title": {
            "en": "Shaping future action to end child labour in a fast-changing world",
            "fr": (
                "Façonner l'action future pour mettre fin au travail des enfants dans "
                "un monde en rapide mutation"
            ),
            "es": (
                "Orientar la acción futura para poner fin al trabajo infantil en un "
                "mundo en rápida evolución"
            ),
            "ar": "تشكيل إجراءات مستقبلية لإنهاء عمل الأطفال في عالم سريع التغير",
        },
        "description": {
            "en": (
                "This interactive session looks at how efforts to end child labour can "
                "be strengthened by responses informed by future challenges and "
                "opportunities. Progress over the past two decades shows that ending "
                "child labour is possible, yet it remains highly sensitive to shocks, "
                "as climate stress, economic volatility, technological change, "
                "migration and conflict pose growing risks. Using a participatory, "
                "scenario-based approach supported by artificial intelligence, "
                "participants will work in groups on possible futures between 2026 and "
                "2045 to identify key drivers, early-warning signals and priorities "
                "for more resilient and adaptive prevention and response strategies."
            ),
            "fr": (
                "Cette session interactive examine comment renforcer les efforts "
                "d'élimination du travail des enfants grâce à des réponses qui "
                "anticipent les défis et les perspectives de demain. Si les progrès "
                "des deux dernières décennies prouvent que l'élimination est possible, "
                "le travail des enfants reste très sensible aux chocs : stress "
                "climatique, instabilité économique, évolutions technologiques, "
                "migrations et conflits font peser des risques croissants. Selon une "
                "approche participative fondée sur des scénarios et appuyée par "
                "l'intelligence artificielle, les participants réfléchiront en groupes "
                "aux futurs possibles entre 2026 et 2045 afin de dégager les "
                "principaux facteurs d'évolution, les signaux d'alerte précoce et les "
                "priorités de stratégies de prévention et de réponse plus résilientes "
                "et adaptables."
            ),
            "es": (
                "Esta sesión interactiva examina cómo reforzar los esfuerzos para "
                "eliminar el trabajo infantil mediante respuestas que anticipen los "
                "desafíos y las oportunidades del futuro. Aunque los avances de las "
                "dos últimas décadas demuestran que es posible lograrlo, el trabajo "
                "infantil sigue siendo muy vulnerable a las crisis, y las presiones "
                "climáticas, la volatilidad económica, el cambio tecnológico, la "
                "migración y los conflictos plantean riesgos cada vez mayores. "
                "Mediante un enfoque participativo basado en escenarios y apoyado por "
                "la inteligencia artificial, los participantes reflexionarán en grupos "
                "sobre los futuros posibles entre 2026 y 2045 para identificar los "
                "factores clave, las señales de alerta temprana y las prioridades de "
                "unas estrategias de prevención y respuesta más resilientes y "
                "adaptables."
            ),
            "ar": (
                "تبحث هذه الجلسة التفاعلية سبل تعزيز جهود القضاء على عمل الأطفال من "
                "خلال استجابات تستلهم تحديات المستقبل وفرصه. ومع أن التقدم المحرز خلال "
                "العقدين الماضيين يثبت أن القضاء عليه ممكن، فإن عمل الأطفال لا يزال "
                "شديد التأثر بالصدمات، إذ تشكل الضغوط المناخية والتقلبات الاقتصادية "
                "والتغير التكنولوجي والهجرة والنزاعات مخاطر متزايدة. وباتباع نهج "
                "تشاركي قائم على السيناريوهات ومدعوم بالذكاء الاصطناعي، سيستشرف "
                "المشاركون في مجموعات المسارات المستقبلية المحتملة بين عامي 2026 "
                "و2045، لتحديد الدوافع الرئيسية وإشارات الإنذار المبكر وأولويات "
                "استراتيجيات وقاية واستجابة أكثر مرونة وقدرة على التكيف."
            ),
        },
        "room": "Koutoubia B",
    },
    {
        "code": "hazardous-work",
        "day": "2026-02-12",
        "organisers": ["ILO"],
        "format": "policy_lab",
        "title": {
            "en": "Hazardous work of children and youth",
            "fr": "Travaux dangereux effectués par les enfants et les jeunes",
            "es": "El trabajo peligroso de niños, niñas y jóvenes",
            "ar": "الأعمال الخطرة للأطفال والشباب",
        },
        "description": {
            "en": (
                "This interactive session explores how hazardous child labour can be "
                "tackled more effectively, so as to speed up the elimination of the "
                "worst forms of child labour by making decent work a reality for all. "
                "It examines the policy, institutional, financial and community "
                "building blocks needed to keep children out of hazardous work and to "
                "support them along safe, inclusive and sustainable pathways to decent "
                "work. The session follows a policy-lab model in which participants "
                "work in groups on scenarios, simulating policy responses and "
                "assessing their impact."
            ),
            "fr": (
                "Cette session interactive examine comment mieux lutter contre les "
                "travaux dangereux effectués par des enfants, afin d'accélérer "
                "l'élimination des pires formes de travail des enfants en faisant du "
                "travail décent une réalité pour tous. Elle passe en revue les "
                "éléments essentiels, sur les plans politique, institutionnel, "
                "financier et communautaire, qui permettent de soustraire les enfants "
                "aux travaux dangereux et de les accompagner vers un travail décent "
                "par des parcours sûrs, inclusifs et durables. La session suit le "
                "modèle d'un laboratoire de politiques publiques : en groupes, les "
                "participants travaillent sur des scénarios pour simuler des mesures "
                "et en évaluer l'impact."
            ),
            "es": (
                "Esta sesión interactiva analiza cómo abordar mejor el trabajo "
                "infantil peligroso para acelerar la eliminación de las peores formas "
                "de trabajo infantil, haciendo del trabajo decente una realidad para "
                "todas las personas. Examina los elementos esenciales en materia de "
                "políticas, instituciones, financiación y comunidades que se necesitan "
                "para mantener a niños y niñas alejados del trabajo peligroso y "
                "acompañarlos por trayectorias seguras, inclusivas y sostenibles hacia "
                "el trabajo decente. La sesión sigue el modelo de un laboratorio de "
                "políticas: los participantes trabajan en grupos a partir de "
                "escenarios para simular respuestas de política y evaluar su impacto."
            ),
            "ar": (
                "تبحث هذه الجلسة التفاعلية سبل التصدي على نحو أفضل لعمل الأطفال في "
                "الأعمال الخطرة، من أجل تسريع القضاء على أسوأ أشكال عمل الأطفال عبر "
                "جعل العمل اللائق واقعاً للجميع. وتتناول المقومات الأساسية على صعيد "
                "السياسات والمؤسسات والتمويل والمجتمعات المحلية، اللازمة لإبعاد "
                "الأطفال عن الأعمال الخطرة ودعمهم في مسارات آمنة وشاملة ومستدامة نحو "
                "العمل اللائق. وتعتمد الجلسة نموذج مختبر السياسات، إذ يعمل المشاركون "
                "في مجموعات على سيناريوهات لمحاكاة الاستجابات السياساتية وتقييم أثرها."
            ),
        },
        "room": "Majorelle",
    },
    {
        "code": "humanitarian-toolkit",
        "day": "2026-02-12",
        "organisers": ["Alliance for Child Protection in Humanitarian Action"],
        "format": "scenario_training",
        "title": {
            "en": "Applying the Child Labour Toolkit in humanitarian settings",
            "fr": (
                "Appliquer la boîte à outils sur le travail des enfants dans les "
                "contextes humanitaires"
            ),
            "es": (
                "Aplicar el conjunto de herramientas sobre trabajo infantil en "
                "contextos humanitarios"
            ),
            "ar": "تطبيق مجموعة أدوات عمل الأطفال في السياقات الإنسانية",
        },
        "description": {
            "en": (
                "This session introduces participants to the Child Labour Toolkit, "
                "with a focus on selected tools and on addressing child labour as a "
                "child protection issue in humanitarian settings. It will help "
                "participants identify, prevent and respond to child labour within "
                "their respective roles. Through scenario-based group work, they will "
                "learn how to adapt the tools to their context and apply them within "
                "their national and organisational systems."
            ),
            "fr": (
                "Cette session présente aux participants la boîte à outils sur le "
                "travail des enfants, en mettant l'accent sur une sélection d'outils "
                "et sur la prise en compte du travail des enfants en tant que question "
                "de protection de l'enfance dans les contextes humanitaires. Elle les "
                "aidera à repérer et à prévenir le travail des enfants, et à y "
                "répondre, dans le cadre de leurs fonctions respectives. Grâce à un "
                "travail de groupe fondé sur des scénarios, ils apprendront à adapter "
                "ces outils à leur contexte et à les appliquer au sein de leurs "
                "systèmes nationaux et de leurs organisations."
            ),
            "es": (
                "Esta sesión presenta a los participantes el conjunto de herramientas "
                "sobre trabajo infantil, con especial atención a algunos de sus "
                "instrumentos y a la integración del trabajo infantil como cuestión de "
                "protección de la infancia en contextos humanitarios. Les permitirá "
                "detectar y prevenir el trabajo infantil, así como responder a él, en "
                "el marco de sus respectivas funciones. Mediante un trabajo en grupo "
                "basado en escenarios, aprenderán a adaptar estas herramientas a su "
                "contexto y a aplicarlas en sus sistemas nacionales y organizativos."
            ),
            "ar": (
                "تهدف هذه الجلسة إلى تعريف المشاركين بمجموعة أدوات عمل الأطفال، مع "
                "التركيز على أدوات مختارة منها وعلى إدماج عمل الأطفال بوصفه مسألة من "
                "مسائل حماية الطفل في السياقات الإنسانية. وستتيح للمشاركين تحديد عمل "
                "الأطفال ومنعه والتصدي له في إطار الأدوار المنوطة بكل منهم. ومن خلال "
                "عمل جماعي قائم على السيناريوهات، سيتعلمون كيفية مواءمة هذه الأدوات مع "
                "سياقاتهم وتطبيقها في نظمهم الوطنية والمؤسسية."
            ),
        },
        "room": "Agdal",
    },
    {
        "code": "data-risk",
        "day": "2026-02-12",
        "organisers": ["ILO"],
        "format": "data_lab",
        "title": {
            "en": "Data innovations for assessing child labour risk",
            "fr": (
                "Innovations en matière de données pour évaluer le risque de travail "
                "des enfants"
            ),
            "es": (
                "Innovaciones en materia de datos para evaluar el riesgo de trabajo "
                "infantil"
            ),
            "ar": "ابتكارات البيانات لتقييم مخاطر عمل الأطفال",
        },
        "description": {
            "en": (
                "This session explores innovative data methods for assessing the risk "
                "of child labour and for strengthening the link between research and "
                "policy action. It presents approaches such as small-area estimation "
                "for detailed geographic insights, cluster analysis to identify "
                "households with similar risk profiles, and composite risk mapping to "
                "show how risk is distributed across areas or groups. These methods "
                "can complement national data, reveal hidden patterns and provide "
                "evidence for policymaking. The discussion will focus on turning "
                "research findings into concrete action to end child labour."
            ),
            "fr": (
                "Cette session examine des méthodes innovantes d'évaluation du risque "
                "de travail des enfants et les moyens de renforcer le lien entre la "
                "recherche et l'action publique. Elle présente notamment l'estimation "
                "sur petits domaines, qui fournit des informations géographiques "
                "détaillées, l'analyse typologique, qui repère les ménages présentant "
                "des profils de risque similaires, et la cartographie composite des "
                "risques, qui montre leur répartition entre zones ou groupes. Ces "
                "méthodes peuvent compléter les données nationales, révéler des "
                "tendances cachées et éclairer l'élaboration des politiques. La "
                "discussion portera sur la manière de traduire les résultats de la "
                "recherche en actions concrètes pour éliminer le travail des enfants."
            ),
            "es": (
                "Esta sesión analiza metodologías de datos innovadoras para evaluar el "
                "riesgo de trabajo infantil y estrechar el vínculo entre la "
                "investigación y la formulación de políticas. Presenta enfoques como "
                "la estimación en áreas pequeñas, que ofrece información geográfica "
                "detallada; el análisis de conglomerados, que identifica hogares con "
                "perfiles de riesgo similares, y la cartografía compuesta de riesgos, "
                "que muestra cómo se distribuye el riesgo entre zonas o grupos. Estos "
                "métodos pueden complementar los datos nacionales, revelar tendencias "
                "ocultas y aportar datos empíricos para las políticas públicas. El "
                "debate se centrará en cómo traducir los resultados de la "
                "investigación en medidas concretas para eliminar el trabajo infantil."
            ),
            "ar": (
                "تستكشف هذه الجلسة منهجيات مبتكرة في مجال البيانات لتقييم مخاطر عمل "
                "الأطفال وتوثيق الصلة بين البحوث والعمل على صعيد السياسات. وتعرض نهجاً "
                "مثل التقدير على مستوى المناطق الصغيرة للحصول على رؤى جغرافية مفصلة، "
                "والتحليل العنقودي لتحديد الأسر ذات أنماط المخاطر المتشابهة، ورسم "
                "خرائط المخاطر المركبة لفهم توزعها بين المناطق أو الفئات. ويمكن لهذه "
                "الأساليب أن تكمل البيانات الوطنية وتكشف عن اتجاهات خفية وتوفر أدلة "
                "تستند إليها السياسات. وسيتركز النقاش على كيفية ترجمة نتائج البحوث إلى "
                "إجراءات ملموسة للقضاء على عمل الأطفال."
            ),
        },
        "room": "Bahia",
    },
    {
        "code": "investing-agriculture",
        "day": "2026-02-12",
        "organisers": ["FAO"],
        "format": "case_studies",
        "title": {
            "en": (
                "Investing in change: investments, international financial "
                "institutions and ending child labour in agriculture"
            ),
            "fr": (
                "Investir dans le changement : investissements, IFI et élimination du "
                "travail des enfants dans l'agriculture"
            ),
            "es": (
                "Invertir en el cambio: las inversiones y las IFI frente al trabajo "
                "infantil en la agricultura"
            ),
            "ar": (
                "الاستثمار في التغيير: الاستثمارات ودور المؤسسات المالية الدولية في "
                "القضاء على عمل الأطفال في الزراعة"
            ),
        },
        "description": {
            "en": (
                "No agricultural investment programme is neutral with regard to child "
                "labour: even when it does not address the issue explicitly, it can "
                "have direct or indirect, positive or negative, intended or unintended "
                "effects on children and on the prevalence of child labour. Building a "
                "child-labour-sensitive approach into agricultural investments and "
                "programmes is therefore essential, not only to assess risks and "
                "prevent harm but also to strengthen accountability, reinforce "
                "protection systems and maximise the positive social impact of "
                "interventions. The session combines FAO and World Bank tools for "
                "assessing child labour risk with case studies, so that participants "
                "can work together to adapt these approaches to their institutional "
                "and country contexts."
            ),
            "fr": (
                "Aucun programme d'investissement agricole n'est neutre au regard du "
                "travail des enfants : même lorsqu'il n'aborde pas explicitement la "
                "question, il peut avoir des effets directs ou indirects, positifs ou "
                "négatifs, voulus ou non, sur les enfants et sur la prévalence du "
                "travail des enfants. Il est donc essentiel d'intégrer une approche "
                "attentive au travail des enfants dans les investissements et "
                "programmes agricoles, non seulement pour évaluer les risques et "
                "prévenir les préjudices, mais aussi pour renforcer la redevabilité, "
                "consolider les systèmes de protection et maximiser l'impact social "
                "positif des interventions. La session associe les outils de la FAO et "
                "de la Banque mondiale pour l'évaluation des risques de travail des "
                "enfants à des études de cas, afin que les participants adaptent "
                "ensemble ces approches à leurs contextes institutionnels et "
                "nationaux."
            ),
            "es": (
                "Ningún programa de inversión agrícola es neutral con respecto al "
                "trabajo infantil: aunque no aborde la cuestión de forma explícita, "
                "puede tener efectos directos o indirectos, positivos o negativos, "
                "deseados o no, en los niños y niñas y en la prevalencia del trabajo "
                "infantil. Por ello, es fundamental integrar un enfoque que tenga en "
                "cuenta el trabajo infantil en las inversiones y los programas "
                "agrícolas, no solo para evaluar los riesgos y prevenir daños, sino "
                "también para reforzar la rendición de cuentas, fortalecer los "
                "sistemas de protección y maximizar el impacto social positivo de las "
                "intervenciones. La sesión combina las herramientas de la FAO y del "
                "Banco Mundial para evaluar el riesgo de trabajo infantil con estudios "
                "de caso, de modo que los participantes puedan adaptar conjuntamente "
                "estos enfoques a sus contextos institucionales y nacionales."
            ),
            "ar": (
                "لا يوجد برنامج استثمار زراعي محايد إزاء عمل الأطفال، فحتى عندما لا "
                "يتناول هذه المسألة صراحة، قد تكون له آثار مباشرة أو غير مباشرة، "
                "إيجابية أو سلبية، مقصودة أو غير مقصودة، على الأطفال وعلى مدى انتشار "
                "هذه الظاهرة. لذلك من الضروري إدماج نهج يراعي عمل الأطفال في "
                "الاستثمارات والبرامج الزراعية، لا لتقييم المخاطر ومنع الضرر فحسب، بل "
                "أيضاً لتعزيز المساءلة وتقوية نظم الحماية وتعظيم الأثر الاجتماعي "
                "الإيجابي للتدخلات. وتجمع الجلسة بين أدوات منظمة الأغذية والزراعة "
                "والبنك الدولي لتقييم مخاطر عمل الأطفال ودراسات حالة، بما يتيح "
                "للمشاركين مواءمة هذه النهج بصورة تعاونية مع سياقاتهم المؤسسية "
                "والقطرية."
            ),
        },
        "room": "Ourika",
    },
]
